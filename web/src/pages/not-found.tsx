import { Link } from 'react-router';
import { usePageTitle, useProject } from '../project.js';

export default function NotFound() {
  usePageTitle('Page not found');
  const { base } = useProject();
  return (
    <>
      <h1>Page not found</h1>
      <p>There is no screen at this address (yet).</p>
      <p>
        <Link to={`${base}/home`}>Go to the project home</Link>
      </p>
    </>
  );
}
